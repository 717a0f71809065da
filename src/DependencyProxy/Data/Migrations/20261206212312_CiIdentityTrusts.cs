using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DependencyProxy.Data.Migrations
{
    /// <inheritdoc />
    public partial class CiIdentityTrusts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CiIdentityPulls",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    TrustId = table.Column<long>(type: "INTEGER", nullable: false),
                    TrustName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Issuer = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Repository = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CiIdentityPulls", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CiIdentityPulls_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CiIdentityTrusts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    IssuerUrl = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Audience = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Claims = table.Column<string>(type: "TEXT", maxLength: 12000, nullable: false),
                    AccessLevel = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CiIdentityTrusts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CiIdentityTrusts_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CiIdentityPulls_GroupId_At",
                table: "CiIdentityPulls",
                columns: new[] { "GroupId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_CiIdentityTrusts_GroupId",
                table: "CiIdentityTrusts",
                column: "GroupId");

            migrationBuilder.CreateIndex(
                name: "IX_CiIdentityTrusts_IssuerUrl",
                table: "CiIdentityTrusts",
                column: "IssuerUrl");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CiIdentityPulls");

            migrationBuilder.DropTable(
                name: "CiIdentityTrusts");
        }
    }
}
