using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DependencyProxy.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class VirtualRegistries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CachedManifests_GroupId_Registry_Repository_Digest",
                table: "CachedManifests");

            migrationBuilder.DropIndex(
                name: "IX_CachedManifests_GroupId_Registry_Repository_Reference",
                table: "CachedManifests");

            migrationBuilder.DropIndex(
                name: "IX_CachedListings_GroupId_Registry_Image_Kind_Key",
                table: "CachedListings");

            migrationBuilder.DropIndex(
                name: "IX_CachedBlobs_GroupId_Digest",
                table: "CachedBlobs");

            migrationBuilder.AddColumn<long>(
                name: "VirtualUpstreamId",
                table: "CachedManifests",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "VirtualUpstreamId",
                table: "CachedListings",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "VirtualUpstreamId",
                table: "CachedBlobs",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "VirtualRegistries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    GroupId = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Description = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VirtualRegistries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VirtualRegistries_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VirtualRegistryUpstreams",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    GroupId = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Description = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    Url = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Username = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    PasswordProtected = table.Column<string>(type: "text", nullable: true),
                    CacheValidityHours = table.Column<int>(type: "integer", nullable: false, defaultValue: 24),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VirtualRegistryUpstreams", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VirtualRegistryUpstreams_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VirtualRegistryUpstreamLinks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    GroupId = table.Column<long>(type: "bigint", nullable: false),
                    RegistryId = table.Column<long>(type: "bigint", nullable: false),
                    UpstreamId = table.Column<long>(type: "bigint", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VirtualRegistryUpstreamLinks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VirtualRegistryUpstreamLinks_VirtualRegistries_RegistryId",
                        column: x => x.RegistryId,
                        principalTable: "VirtualRegistries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_VirtualRegistryUpstreamLinks_VirtualRegistryUpstreams_Upstr~",
                        column: x => x.UpstreamId,
                        principalTable: "VirtualRegistryUpstreams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CachedManifests_GroupId_VirtualUpstreamId_Registry_Reposito~",
                table: "CachedManifests",
                columns: new[] { "GroupId", "VirtualUpstreamId", "Registry", "Repository", "Digest" });

            migrationBuilder.CreateIndex(
                name: "IX_CachedManifests_GroupId_VirtualUpstreamId_Registry_Reposit~1",
                table: "CachedManifests",
                columns: new[] { "GroupId", "VirtualUpstreamId", "Registry", "Repository", "Reference" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CachedListings_GroupId_VirtualUpstreamId_Registry_Image_Kin~",
                table: "CachedListings",
                columns: new[] { "GroupId", "VirtualUpstreamId", "Registry", "Image", "Kind", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CachedBlobs_GroupId_VirtualUpstreamId_Digest",
                table: "CachedBlobs",
                columns: new[] { "GroupId", "VirtualUpstreamId", "Digest" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VirtualRegistries_GroupId_Name",
                table: "VirtualRegistries",
                columns: new[] { "GroupId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VirtualRegistryUpstreamLinks_RegistryId_Position",
                table: "VirtualRegistryUpstreamLinks",
                columns: new[] { "RegistryId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_VirtualRegistryUpstreamLinks_RegistryId_UpstreamId",
                table: "VirtualRegistryUpstreamLinks",
                columns: new[] { "RegistryId", "UpstreamId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VirtualRegistryUpstreamLinks_UpstreamId",
                table: "VirtualRegistryUpstreamLinks",
                column: "UpstreamId");

            migrationBuilder.CreateIndex(
                name: "IX_VirtualRegistryUpstreams_GroupId",
                table: "VirtualRegistryUpstreams",
                column: "GroupId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "VirtualRegistryUpstreamLinks");

            migrationBuilder.DropTable(
                name: "VirtualRegistries");

            migrationBuilder.DropTable(
                name: "VirtualRegistryUpstreams");

            migrationBuilder.DropIndex(
                name: "IX_CachedManifests_GroupId_VirtualUpstreamId_Registry_Reposito~",
                table: "CachedManifests");

            migrationBuilder.DropIndex(
                name: "IX_CachedManifests_GroupId_VirtualUpstreamId_Registry_Reposit~1",
                table: "CachedManifests");

            migrationBuilder.DropIndex(
                name: "IX_CachedListings_GroupId_VirtualUpstreamId_Registry_Image_Kin~",
                table: "CachedListings");

            migrationBuilder.DropIndex(
                name: "IX_CachedBlobs_GroupId_VirtualUpstreamId_Digest",
                table: "CachedBlobs");

            migrationBuilder.DropColumn(
                name: "VirtualUpstreamId",
                table: "CachedManifests");

            migrationBuilder.DropColumn(
                name: "VirtualUpstreamId",
                table: "CachedListings");

            migrationBuilder.DropColumn(
                name: "VirtualUpstreamId",
                table: "CachedBlobs");

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
                name: "IX_CachedListings_GroupId_Registry_Image_Kind_Key",
                table: "CachedListings",
                columns: new[] { "GroupId", "Registry", "Image", "Kind", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CachedBlobs_GroupId_Digest",
                table: "CachedBlobs",
                columns: new[] { "GroupId", "Digest" },
                unique: true);
        }
    }
}
