using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DependencyProxy.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Groups",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Path = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    FullPath = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    ParentId = table.Column<long>(type: "INTEGER", nullable: true),
                    ProxyEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Groups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Groups_Groups_ParentId",
                        column: x => x.ParentId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "CachedBlobs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 600, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ReadAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CachedBlobs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CachedBlobs_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CachedManifests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    Registry = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Repository = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    MediaType = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ReadAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CachedManifests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CachedManifests_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CachedBlobs_Digest",
                table: "CachedBlobs",
                column: "Digest");

            migrationBuilder.CreateIndex(
                name: "IX_CachedBlobs_GroupId_Digest",
                table: "CachedBlobs",
                columns: new[] { "GroupId", "Digest" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CachedManifests_GroupId_Registry_Repository_Digest",
                table: "CachedManifests",
                columns: new[] { "GroupId", "Registry", "Repository", "Digest" });

            migrationBuilder.CreateIndex(
                name: "IX_CachedManifests_GroupId_Registry_Repository_Reference",
                table: "CachedManifests",
                columns: new[] { "GroupId", "Registry", "Repository", "Reference" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Groups_FullPath",
                table: "Groups",
                column: "FullPath",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Groups_ParentId",
                table: "Groups",
                column: "ParentId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CachedBlobs");

            migrationBuilder.DropTable(
                name: "CachedManifests");

            migrationBuilder.DropTable(
                name: "Groups");
        }
    }
}
